from mldebt.settings import DATABASE_URL, SENTRY_DSN, SETTINGS_FILE


def test_every_setting_reads_override_then_environment_then_settings_file_then_default(tmp_path, monkeypatch):
    monkeypatch.delenv(DATABASE_URL.env, raising=False)
    monkeypatch.delenv(SENTRY_DSN.env, raising=False)
    monkeypatch.setenv(SETTINGS_FILE.env, str(tmp_path / "absent.toml"))
    assert DATABASE_URL.value() == DATABASE_URL.default
    (tmp_path / "settings.toml").write_text('database_url = "sqlite:///from-file.db"\n')
    monkeypatch.setenv(SETTINGS_FILE.env, str(tmp_path / "settings.toml"))
    assert DATABASE_URL.value() == "sqlite:///from-file.db"
    assert SENTRY_DSN.value() == ""
    monkeypatch.setenv(DATABASE_URL.env, "sqlite:///from-env.db")
    assert DATABASE_URL.value() == "sqlite:///from-env.db"
    assert DATABASE_URL.value("sqlite:///override.db") == "sqlite:///override.db"


def test_a_broken_settings_file_falls_back_to_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv(DATABASE_URL.env, raising=False)
    (tmp_path / "settings.toml").write_text("not toml = = \n")
    monkeypatch.setenv(SETTINGS_FILE.env, str(tmp_path / "settings.toml"))
    assert DATABASE_URL.value() == DATABASE_URL.default
