"""Publicity: what citizens, the Fatherland Front and People's Councils see and send.

Published programmes and their progress (pages, feeds, open data, sitemaps), the oversight workspace, citizen
feedback as a tracked case (`feedback/`: submission, triage, answers, attachment to a review, purge of contacts),
and the verification of printed reports. It builds on programmes and reviews; nothing but the demo builds on it.
"""
