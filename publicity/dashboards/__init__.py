"""The organisation dashboards, from a cell to the city, and the public dashboard of each area.

They live here, at the top of the layers, because they count what all three apps hold: members and commitments
(programmes), reviews and the quota (reviews), citizens' cases and what is published (publicity).

- `refresh`: counts the figures ahead into `OrganisationSummary`, set-based, for the whole tree or the marked
  subtrees (programmes.summary_marks); run by the Celery tasks, never by a request.
- `figures`: what one dashboard shows, read from the summary rows of the organisation and its children only.
- `charts`: bar and stacked-bar charts drawn server-side as accessible SVG, each with its text and data table.
- `views`: the staff dashboards (access asked of programmes.access) and the public area dashboard.
"""
