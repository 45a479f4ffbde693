from django.urls import path

from reviews import (
    bulk_views,
    cell_views,
    collective_views,
    decision_views,
    portfolio_views,
    report_views,
    residence_views,
    self_review_views,
    views,
    work_list_views,
)

app_name = "reviews"

urlpatterns = [
    # Work lists, periods and the review's page (views)
    path("", work_list_views.work_list, name="work_list"),
    path("dot/", views.period_list, name="period_list"),
    path("dot/moi/", views.period_open, name="period_open"),
    path("dot/<int:pk>/", views.period_detail, name="period_detail"),
    path("dot/<int:pk>/bang-tinh.xlsx", views.period_export, name="period_export"),
    path("dot/<int:pk>/ket-thuc/", views.period_close, name="period_close"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    # A cadre's programmes and reviews over time (portfolio_views)
    path("can-bo/<int:pk>/qua-trinh/", portfolio_views.cadre_portfolio, name="cadre_portfolio"),
    # The member's self-review, prompts and inputs (self_review_views)
    path("<int:pk>/ban-kiem-diem/", self_review_views.self_review_edit, name="self_review_edit"),
    path("<int:pk>/ban-kiem-diem/nop/", self_review_views.self_review_submit, name="self_review_submit"),
    path("<int:pk>/goi-y/", self_review_views.prompt_add, name="prompt_add"),
    path("<int:pk>/y-kien/", self_review_views.input_add, name="input_add"),
    path("y-kien/<int:pk>/tai-ve/", self_review_views.input_download, name="input_download"),
    # The residence cell's comment (Quy định 213-QĐ/TW): requests, answer, upload from outside (residence_views)
    path("nhan-xet-noi-cu-tru/", residence_views.residence_requests, name="residence_requests"),
    path("nhan-xet-noi-cu-tru/<int:pk>/", residence_views.residence_comment_record, name="residence_comment_record"),
    path(
        "nhan-xet-noi-cu-tru/<int:pk>/tai-len/",
        residence_views.residence_comment_upload,
        name="residence_comment_upload",
    ),
    path(
        "nhan-xet-noi-cu-tru/<int:pk>/tai-ve/",
        residence_views.residence_comment_download,
        name="residence_comment_download",
    ),
    # The cell's meeting and proposal (cell_views)
    path("dot/<int:period_pk>/chi-bo/<int:cell_pk>/", cell_views.cell_reviews, name="cell_reviews"),
    path("dot/<int:period_pk>/chi-bo/<int:cell_pk>/hop/", cell_views.meeting_record, name="meeting_record"),
    path("<int:pk>/de-xuat/", cell_views.proposal_record, name="proposal_record"),
    path("bien-ban/<int:pk>/tai-ve/", cell_views.minutes_download, name="minutes_download"),
    # A cell's tables: the whole cell's proposals, decisions and confirmations at once (bulk_views)
    path("dot/<int:period_pk>/chi-bo/<int:cell_pk>/de-xuat/", bulk_views.cell_proposals, name="cell_proposals"),
    path("dot/<int:period_pk>/chi-bo/<int:cell_pk>/quyet-dinh/", bulk_views.cell_decisions, name="cell_decisions"),
    path(
        "dot/<int:period_pk>/chi-bo/<int:cell_pk>/xac-nhan/", bulk_views.cell_confirmations, name="cell_confirmations"
    ),
    # The rating of party organisations by the committee directly above them (collective_views)
    path(
        "dot/<int:period_pk>/to-chuc/<int:organisation_pk>/xep-loai/",
        collective_views.organisation_ratings,
        name="organisation_ratings",
    ),
    path(
        "dot/<int:period_pk>/to-chuc/<int:organisation_pk>/bao-cao-tap-the/",
        collective_views.collective_report,
        name="collective_report",
    ),
    # The decision, the head's confirmation, appeals and re-classification (decision_views)
    path("<int:pk>/quyet-dinh/", decision_views.decision_make, name="decision_make"),
    path("<int:pk>/tra-lai/", decision_views.decision_return, name="decision_return"),
    path("<int:pk>/xac-nhan/", decision_views.decision_confirm, name="decision_confirm"),
    path("<int:pk>/kien-nghi/", decision_views.appeal_file, name="appeal_file"),
    path("kien-nghi/<int:pk>/giai-quyet/", decision_views.appeal_resolve, name="appeal_resolve"),
    path("<int:pk>/xep-loai-lai/", decision_views.review_reclassify, name="review_reclassify"),
    # Evaluation reports: the list, asking for a batch, its progress, one download (report_views)
    path("bao-cao/", report_views.report_list, name="report_list"),
    path("bao-cao/tao/", report_views.report_request, name="report_request"),
    path("bao-cao/luot/<int:pk>/", report_views.batch_detail, name="batch_detail"),
    path("bao-cao/luot/<int:pk>/tien-do/", report_views.batch_progress_part, name="batch_progress"),
    path("bao-cao/<int:pk>/tai-ve/", report_views.report_download, name="report_download"),
]
