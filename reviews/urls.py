from django.urls import URLPattern

app_name = "reviews"

# The review workflow's pages arrive with the reviews capability.
urlpatterns: list[URLPattern] = []
