"""Every write of the licensing tracker, one module per record: checklists (items and their transitions), background
checks, home study visits, the home safety checklist, the home study write-up, and the license. Reminders are a job
of their own (licensing/tracker/reminders.py)."""
