"""The admin web panel: staff, departments, invites. Entry point: :func:`admin_web.app.create_admin_app`."""
