"""The domain services: one module per capability, each enforcing rules of domain.md.

Every function takes a `Ctx` (one open transaction, "now", the actor, the store's settings)
and plain arguments. The `Store` facade is the only caller from outside the store."""
