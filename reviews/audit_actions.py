"""The audit log's actions of reviews, each with the words the log and a review's history show for it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewAction(models.TextChoices):
    PERIOD_OPEN = "review.period_open", _("Mở đợt kiểm điểm")
    SELF_SAVE = "review.self_save", _("Lưu bản kiểm điểm")
    SELF_SUBMIT = "review.self_submit", _("Nộp bản kiểm điểm")
    PROMPT_ADD = "review.prompt_add", _("Gửi gợi ý kiểm điểm")
    INPUT_ADD = "review.input_add", _("Thêm ý kiến nhận xét")
    INPUT_ATTACH = "review.input_attach", _("Gắn góp ý đã xác minh của nhân dân")
    RESIDENCE_COMMENT = "review.residence_comment", _("Chi bộ nơi cư trú nhận xét đảng viên")
    RESIDENCE_NO_COMMENT = "review.residence_no_comment", _("Chi bộ nơi cư trú không có ý kiến nhận xét")
    RESIDENCE_UPLOAD = "review.residence_upload", _("Tải lên nhận xét nơi cư trú nhận ngoài cổng")
    MEETING_RECORD = "review.meeting_record", _("Ghi cuộc họp kiểm điểm của chi bộ")
    CONSISTENCY_NOTE = "review.consistency_note", _("Giải trình kết luận trái với tiến độ ghi nhận")
    PROPOSE = "review.propose", _("Chi bộ đề xuất mức xếp loại")
    DECIDE = "review.decide", _("Cấp ủy quyết định xếp loại")
    RETURN_TO_CELL = "review.return_to_cell", _("Cấp ủy trả lại chi bộ")
    CONFIRM = "review.confirm", _("Người đứng đầu xác nhận kết quả")
    APPEAL = "review.appeal", _("Gửi kiến nghị về kết quả")
    APPEAL_RESOLVE = "review.appeal_resolve", _("Giải quyết kiến nghị")
    RECLASSIFY = "review.reclassify", _("Cấp ủy cấp trên xếp loại lại")
    PERIOD_CLOSE = "review.period_close", _("Kết thúc đợt kiểm điểm")
    ORGANISATION_RATE = "review.organisation_rate", _("Cấp ủy cấp trên xếp loại tổ chức đảng")
    COLLECTIVE_REPORT = "review.collective_report", _("Lưu báo cáo kiểm điểm tập thể")


class ReportAction(models.TextChoices):
    BATCH = "report.batch", _("Yêu cầu tạo loạt báo cáo")
