"""The kiosk's screens: one module per step of the applicant's journey (architecture.md).

Screens call the `Store` facade in thread workers and receive plain frozen dataclasses; they
never open a database session or write SQL, and they re-implement no rule."""
