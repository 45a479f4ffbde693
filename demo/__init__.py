"""Demo data: a slice of Ho Chi Minh City after the July 2025 restructuring, the same on every run.

Four ward/commune party committees with their real post-2025 names and codes and the units each was formed from,
their grassroots organisations and cells, about 300 cadres with private details, memberships and posts, the
demo accounts, action programmes in every state made through the programme services, the school's annual review
of 2026 with reviews in every state made through the review services, and citizens' feedback on a published
programme. Everything is upserted by code (programmes by owner and title, the review period by title), so a second
run changes nothing.

This app builds the demo data of the three apps and so depends on all of them (programmes, reviews, publicity);
nothing depends on it, so that the base app never imports upwards. It has no models. One builder module per app's
data (organisations, people, programmes, reviews, publicity), each using only its own app and the base app; the
plan of the population is drawn from a seed alone (plan.py); `manage.py seed_demo` writes it all (seed.py).
"""
