from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from publicity import feedback_views, follow_views, opendata, opendata_files, views
from publicity.dashboards import views as dashboard_views
from publicity.feeds import AreaChangesFeed, ProgrammeChangesFeed, RecentChangesFeed
from publicity.sitemaps import SITEMAPS

app_name = "publicity"

# Mounted at /cong-khai/. Printed reports point to report_verify (reviews.reports.produce.verify_path).
urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("chuong-trinh/<int:pk>/", views.public_programme, name="public_programme"),
    path("khu-vuc/<int:pk>/", dashboard_views.area_dashboard, name="area_dashboard"),
    path("chuong-trinh/<int:pk>/gop-y/", feedback_views.feedback_new, name="feedback_new"),
    path(
        "chuong-trinh/<int:pk>/atom.xml",
        require_safe(views.public_cache()(ProgrammeChangesFeed())),
        name="programme_feed",
    ),
    path("khu-vuc/<int:pk>/atom.xml", require_safe(views.public_cache()(AreaChangesFeed())), name="area_feed"),
    # Following by e-mail: the target in the address (?chuong_trinh= or ?khu_vuc=), the e-mail address in the body.
    path("theo-doi/", follow_views.follow_new, name="follow"),
    path("theo-doi/da-gui/", follow_views.follow_sent, name="follow_sent"),
    path("theo-doi/xac-nhan/<str:token>/", follow_views.follow_confirm, name="follow_confirm"),
    path("theo-doi/huy/<str:token>/", follow_views.follow_unsubscribe, name="follow_unsubscribe"),
    path("gop-y/", feedback_views.track, name="track"),
    path("gop-y/<str:code>/", feedback_views.track_case, name="track_case"),
    path("minh-chung/<int:pk>/", views.public_evidence, name="public_evidence"),
    path("thay-doi-gan-day/", views.public_changes, name="public_changes"),
    path(
        "thay-doi-gan-day/atom.xml",
        require_safe(views.public_cache()(RecentChangesFeed())),
        name="public_changes_feed",
    ),
    path("gioi-thieu/", views.public_about, name="public_about"),
    path("du-lieu-mo/", opendata_files.open_data, name="open_data"),
    path("du-lieu-mo/chuong-trinh.csv", opendata_files.programmes_csv, name="open_data_programmes_csv"),
    path("du-lieu-mo/noi-dung-cam-ket.csv", opendata_files.commitments_csv, name="open_data_commitments_csv"),
    path("du-lieu-mo/chuong-trinh.json", opendata.programmes_json, name="open_data_programmes_json"),
    path(
        "du-lieu-mo/tep/chuong-trinh.json",
        opendata_files.programmes_json_file,
        name="open_data_programmes_json_file",
    ),
    path(
        "du-lieu-mo/tep/noi-dung-cam-ket.json",
        opendata_files.commitments_json_file,
        name="open_data_commitments_json_file",
    ),
    path("xac-thuc/", views.report_verify, name="report_verify"),
    path(
        "sitemap.xml",
        require_safe(views.public_cache()(sitemap)),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
]
