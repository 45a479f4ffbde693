from django.urls import URLPattern

app_name = "publicity"

# The public pages arrive with the public-oversight capability.
urlpatterns: list[URLPattern] = []
