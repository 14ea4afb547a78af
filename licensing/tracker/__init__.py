"""The licensing tracker: checklists, background checks, home study visits and write-up, safety, license, renewals."""
