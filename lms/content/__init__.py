"""Course content: parse files (pure), import them (idempotent), render Markdown."""
