from django.urls import path

from programmes import (
    closing_views,
    confirmation_views,
    document_views,
    evidence_views,
    export_views,
    help_views,
    import_views,
    personal_data_views,
    progress_views,
    publication_views,
    record_views,
    registration_views,
    views,
)

app_name = "programmes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("huong-dan/", help_views.help_index, name="help_index"),
    path("huong-dan/<slug:slug>/", help_views.help_guide, name="help_guide"),
    path("to-chuc/", views.organisation_list, name="organisation_list"),
    path("to-chuc/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("to-chuc/<int:pk>/dang-vien.xlsx", export_views.members_export, name="members_export"),
    path("can-bo/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("ho-so/ai-da-xem/", record_views.my_readers, name="my_readers"),
    path("ho-so/du-lieu-cua-toi/", personal_data_views.my_data, name="my_data"),
    path("ho-so/du-lieu-cua-toi.json", personal_data_views.my_data_json, name="my_data_json"),
    path("ho-so/du-lieu-cua-toi.pdf", personal_data_views.my_data_pdf, name="my_data_pdf"),
    path("nhat-ky/", record_views.audit_log, name="audit_log"),
    path("nhat-ky/tai-ve.csv", record_views.audit_log_csv, name="audit_log_csv"),
    path("nhap-du-lieu/", import_views.import_list, name="import_list"),
    path("nhap-du-lieu/moi/", import_views.import_new, name="import_new"),
    path("nhap-du-lieu/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("nhap-du-lieu/<int:pk>/loi.csv", import_views.import_errors_csv, name="import_errors_csv"),
    path(
        "nhap-du-lieu/mau/<str:kind>.<str:file_format>",
        import_views.import_template,
        name="import_template",
    ),
    # Spreadsheets made in the background (export_views)
    path("xuat-bang-tinh/", export_views.export_request, name="export_request"),
    path("xuat-bang-tinh/<int:pk>/", export_views.export_detail, name="export_detail"),
    path("xuat-bang-tinh/<int:pk>/tai-ve.xlsx", export_views.export_download, name="export_download"),
    # Registration and drafts (registration_views)
    path("chuong-trinh/", registration_views.programme_list, name="programme_list"),
    path("chuong-trinh/bang-tinh.xlsx", export_views.programme_export, name="programme_export"),
    path("chuong-trinh/moi/", registration_views.programme_create, name="programme_create"),
    path("chuong-trinh/<int:pk>/soan/", registration_views.programme_edit, name="programme_edit"),
    path("chuong-trinh/<int:pk>/soan/kiem-tra/", registration_views.programme_quality, name="programme_quality"),
    path("chuong-trinh/<int:pk>/soan/cam-ket/them/", registration_views.commitment_add, name="commitment_add"),
    path(
        "chuong-trinh/<int:pk>/soan/cam-ket/chuyen-tiep/",
        registration_views.commitment_carry,
        name="commitment_carry",
    ),
    path(
        "chuong-trinh/<int:pk>/soan/cam-ket/<int:terms_pk>/sua/",
        registration_views.commitment_edit,
        name="commitment_edit",
    ),
    path(
        "chuong-trinh/<int:pk>/soan/cam-ket/<int:terms_pk>/xoa/",
        registration_views.commitment_delete,
        name="commitment_delete",
    ),
    path(
        "chuong-trinh/<int:pk>/soan/cam-ket/<int:terms_pk>/di-chuyen/",
        registration_views.commitment_move,
        name="commitment_move",
    ),
    path("chuong-trinh/<int:pk>/gui/", registration_views.programme_submit, name="programme_submit"),
    path("chuong-trinh/<int:pk>/rut/", registration_views.version_withdraw, name="version_withdraw"),
    path("chuong-trinh/<int:pk>/dieu-chinh/", registration_views.amendment_start, name="amendment_start"),
    # Confirmation, comparison and notifications (confirmation_views)
    path("xac-nhan/", confirmation_views.confirmation_queue, name="confirmation_queue"),
    path(
        "chuong-trinh/<int:pk>/phien-ban/<int:number>/xac-nhan/",
        confirmation_views.programme_review,
        name="programme_review",
    ),
    path("chuong-trinh/<int:pk>/so-sanh/", confirmation_views.version_compare, name="version_compare"),
    path("thong-bao/", confirmation_views.notification_list, name="notification_list"),
    # The programme page, progress and evidence (progress_views)
    path("chuong-trinh/<int:pk>/", progress_views.programme_detail, name="programme_detail"),
    path(
        "chuong-trinh/<int:pk>/cam-ket/<int:commitment_pk>/tien-do/",
        progress_views.progress_new,
        name="progress_new",
    ),
    path("minh-chung/<int:pk>/", progress_views.evidence_download, name="evidence_download"),
    # The confirmer's check of evidence, and the archived copy of a linked page (evidence_views)
    path("minh-chung/cho-kiem-tra/", evidence_views.evidence_queue, name="evidence_queue"),
    path("minh-chung/<int:pk>/kiem-tra/", evidence_views.evidence_check, name="evidence_check"),
    path("minh-chung/<int:pk>/ban-luu/", evidence_views.evidence_archive_download, name="evidence_archive_download"),
    # Publication: level, consent, per-item caps and evidence flags (publication_views)
    path("chuong-trinh/<int:pk>/cong-khai/", publication_views.publication_edit, name="publication_edit"),
    # The printable programme (document_views)
    path("chuong-trinh/<int:pk>/ban-in.pdf", document_views.programme_pdf, name="programme_pdf"),
    # The end of term: closing early, the evaluation and its report (closing_views)
    path("chuong-trinh/<int:pk>/ket-thuc/", closing_views.programme_close, name="programme_close"),
    path(
        "chuong-trinh/<int:pk>/danh-gia-cuoi-nhiem-ky/", closing_views.programme_evaluation, name="programme_evaluation"
    ),
    path("chuong-trinh/<int:pk>/ket-qua-thuc-hien.pdf", closing_views.evaluation_pdf, name="evaluation_pdf"),
]
