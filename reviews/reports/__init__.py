"""Evaluation reports: what each kind says (contexts), how it is produced exactly once (produce), and
how a printed copy is checked (verify). PDFs are rendered by programmes.documents."""
