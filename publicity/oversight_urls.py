from django.urls import path

from publicity import feedback_views

app_name = "oversight"

# Mounted at /giam-sat/: the Front's and People's Council's work on citizen feedback, and the cadre's reply.
urlpatterns = [
    path("", feedback_views.oversight_queue, name="queue"),
    path("bang-tinh.xlsx", feedback_views.oversight_queue_export, name="queue_export"),
    path("gop-y/<int:pk>/", feedback_views.oversight_case, name="case"),
    path("gop-y/<int:pk>/tiep-nhan/", feedback_views.oversight_accept, name="accept"),
    path("gop-y/<int:pk>/khong-tiep-nhan/", feedback_views.oversight_reject, name="reject"),
    path("gop-y/<int:pk>/chuyen-xac-minh/", feedback_views.oversight_forward, name="forward"),
    path("gop-y/<int:pk>/ket-qua/", feedback_views.oversight_answer, name="answer"),
    path("y-kien-cua-nhan-dan/", feedback_views.owner_cases, name="owner_cases"),
    path("y-kien-cua-nhan-dan/<int:pk>/", feedback_views.owner_case, name="owner_case"),
]
