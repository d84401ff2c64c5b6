"""Certificates: issuing rules, verification, PDF, Open Badges documents."""
