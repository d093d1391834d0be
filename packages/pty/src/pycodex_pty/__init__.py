"""PTY and pipe process sessions for exec_command / write_stdin."""

__all__: list[str] = []
