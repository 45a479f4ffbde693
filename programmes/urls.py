from django.urls import path

from programmes import import_views, views

app_name = "programmes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("to-chuc/", views.organisation_list, name="organisation_list"),
    path("to-chuc/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("can-bo/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("nhap-du-lieu/", import_views.import_list, name="import_list"),
    path("nhap-du-lieu/moi/", import_views.import_new, name="import_new"),
    path("nhap-du-lieu/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("nhap-du-lieu/<int:pk>/loi.csv", import_views.import_errors_csv, name="import_errors_csv"),
    path(
        "nhap-du-lieu/mau/<str:kind>.<str:file_format>",
        import_views.import_template,
        name="import_template",
    ),
]
