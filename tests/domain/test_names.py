"""One list of source names and one of roles: everything that names them derives from the domain's."""

import typing

from mldebt.domain.component import Catalog
from mldebt.domain.roles import ROLE_NAMES, Role
from mldebt.domain.source_names import SOURCE_NAMES
from mldebt.ingest.registry import ADAPTERS
from mldebt.service.tokens import ROLES
from mldebt.settings import SOURCE_SECRETS, WEBHOOK_SOURCES
from mldebt.web.api import TokenRequest, list_events


def test_every_list_of_sources_is_the_domains():
    assert SOURCE_NAMES == ("sentry", "alertmanager", "zendesk", "zigpoll", "bigcommerce")
    assert tuple(ADAPTERS) == SOURCE_NAMES
    assert all(module.name == name for name, module in ADAPTERS.items())
    assert WEBHOOK_SOURCES == SOURCE_NAMES and tuple(SOURCE_SECRETS) == SOURCE_NAMES
    catalog_keys = Catalog.model_json_schema()["$defs"]["Source"]["enum"]
    assert catalog_keys == list(SOURCE_NAMES)
    hints = typing.get_type_hints(list_events)
    assert [s.value for s in typing.get_args(hints["source"])[0]] == list(SOURCE_NAMES)


def test_every_list_of_roles_is_the_domains():
    assert ROLE_NAMES == ("viewer", "editor", "admin") and ROLES == ROLE_NAMES
    assert TokenRequest.model_json_schema()["$defs"]["Role"]["enum"] == list(ROLE_NAMES)
    assert [Role.ADMIN.allows(r) for r in Role] == [True, True, True]
    assert [Role.VIEWER.allows(r) for r in Role] == [True, False, False]
