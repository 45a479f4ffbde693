from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("to-chuc/", views.organisation_list, name="organisation_list"),
    path("to-chuc/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("can-bo/<int:pk>/", views.cadre_detail, name="cadre_detail"),
]
