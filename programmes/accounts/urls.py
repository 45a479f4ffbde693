from django.urls import path

from programmes.accounts import notification_views, views

app_name = "accounts"

urlpatterns = [
    path("bao-mat/", views.security, name="security"),
    path("bao-mat/bat/", views.totp_setup, name="totp_setup"),
    path("bao-mat/ma-du-phong/", views.recovery_codes, name="recovery_codes"),
    path("bao-mat/tat/", views.totp_disable, name="totp_disable"),
    path("xac-thuc/", views.verify, name="verify"),
    path("thong-bao/", notification_views.notification_preferences_edit, name="notification_preferences"),
    path("huy-nhan-thu/<str:token>/", notification_views.unsubscribe, name="unsubscribe"),
]
