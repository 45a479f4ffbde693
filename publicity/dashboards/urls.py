from django.urls import path

from publicity.dashboards import views

app_name = "dashboards"

# Mounted at /so-lieu/: the staff dashboards of the organisation tree. The public area dashboards are in
# publicity.urls (/cong-khai/khu-vuc/<pk>/).
urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("<int:pk>/", views.organisation_dashboard, name="organisation"),
]
