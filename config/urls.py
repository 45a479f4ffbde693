from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from programmes import views as programme_views
from programmes.accounts import forms as account_forms
from programmes.accounts import views as account_views

admin.site.site_header = _("Quản trị cổng chương trình hành động")
admin.site.site_title = _("Quản trị")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns = [
    path("health/", programme_views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("", include("programmes.urls")),
    path("kiem-diem/", include("reviews.urls")),
    path("cong-khai/", include("publicity.urls")),
    path("giam-sat/", include("publicity.oversight_urls")),
    path("so-lieu/", include("publicity.dashboards.urls")),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=account_forms.LoginForm),
        name="login",
    ),
    # next_page is the logout URL itself, so the view shows "logged out" in place instead of redirecting:
    # on a shared computer the person sees that the session really ended.
    path("dang-xuat/", auth_views.LogoutView.as_view(next_page="logout"), name="logout"),
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(form_class=account_forms.PasswordChangeForm),
        name="password_change",
    ),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("quen-mat-khau/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("quen-mat-khau/da-gui/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("dat-lai-mat-khau/xong/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("tai-khoan/", include("programmes.accounts.urls")),
    path("quan-tri/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = "programmes.views.error_400"
handler403 = "programmes.views.error_403"
handler404 = "programmes.views.error_404"
handler500 = "programmes.views.error_500"
