"""The counter desk (C1–C8): staff screens. The applicant's own steps are the kiosk's screens,
opened in assisted mode (C2), never written twice."""
