"""Signing in: the login lockout, the second factor (TOTP with recovery codes) and password reset by e-mail."""
