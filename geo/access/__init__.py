"""Access: users, roles, areas, tokens, the audit log, and the field view of a beneficiary."""
