"""The audit log's actions of citizen feedback and follows, each with the words the log shows for it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackAction(models.TextChoices):
    SUBMIT = "feedback.submit", _("Nhân dân gửi góp ý")
    ACCEPT = "feedback.accept", _("Tiếp nhận góp ý")
    REJECT = "feedback.reject", _("Không tiếp nhận góp ý")
    FORWARD = "feedback.forward", _("Chuyển góp ý đến nơi có thẩm quyền")
    REPLY = "feedback.reply", _("Cán bộ giải trình về góp ý")
    ANSWER = "feedback.answer", _("Ghi kết quả xác minh và trả lời góp ý")
    ATTACH = "feedback.attach", _("Gắn góp ý vào bản kiểm điểm")
    CONTACTS_PURGE = "feedback.contacts_purge", _("Xóa thông tin liên hệ của người góp ý")


class FollowAction(models.TextChoices):
    REQUEST = "follow.request", _("Nhân dân đăng ký theo dõi qua thư điện tử")
    CONFIRM = "follow.confirm", _("Nhân dân xác nhận theo dõi")
    UNSUBSCRIBE = "follow.unsubscribe", _("Nhân dân hủy theo dõi")
    PURGE = "follow.purge", _("Xóa đăng ký theo dõi chưa được xác nhận")
