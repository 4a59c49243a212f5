"""The cluster test runs the proxy configuration operators are told to use, rendered the same way."""

import re
from pathlib import Path

from bench.cluster import TEMPLATE, FormFields, Nginx

ROOT = Path(__file__).resolve().parents[2]


def envsubst_variables(text: str) -> list[set[str]]:
    """The variable lists of every `envsubst '...'` command in a text."""
    return [
        set(re.findall(r"\$(WP_[A-Z_]+)", names))
        for names in re.findall(r"envsubst '([^']+)'", text)
    ]


def test_the_template_uses_exactly_the_variables_the_test_and_the_docs_render():
    template = TEMPLATE.read_text()
    used = set(re.findall(r"\$\{(WP_[A-Z_]+)\}", template))
    assert used == set(Nginx.VARIABLES)
    docs = (ROOT / "docs" / "scale-out.md").read_text()
    assert "deploy/nginx/wijkportaal.conf.template" in docs
    assert envsubst_variables(docs) == [used]
    assert envsubst_variables(template) == [used]


def test_rendering_leaves_nginx_variables_alone(tmp_path):
    nginx = Nginx(root=tmp_path, port=18080, nodes=[18001, 18002], static=tmp_path, media=tmp_path)
    rendered = nginx.render()
    assert "${WP_" not in rendered
    assert "server 127.0.0.1:18001 max_fails=1 fail_timeout=5s;" in rendered
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in rendered
    assert "$wijkportaal_files_cache" in rendered


def test_form_fields_are_what_a_browser_submits():
    parser = FormFields("officer_form")
    parser.feed(
        '<form id="other"><input name="q" value="no"></form>'
        '<form id="officer_form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="t">'
        '<input name="name" value="Anna">'
        '<input type="checkbox" name="published" checked>'
        '<input type="checkbox" name="absent">'
        '<input type="file" name="photo">'
        '<select name="role"><option value="primary">P</option>'
        '<option value="deputy" selected>D</option></select>'
        '<textarea name="intro">\nHallo</textarea>'
        '<input type="submit" name="_save" value="Save">'
        "</form>"
    )
    assert parser.fields == [
        ("csrfmiddlewaretoken", "t"),
        ("name", "Anna"),
        ("published", "on"),
        ("role", "deputy"),
        ("intro", "Hallo"),
    ]
