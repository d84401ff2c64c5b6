"""Certificates as people see them: codes, verification, PDF, Open Badges documents."""
