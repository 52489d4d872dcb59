import pytest

from cartable.drive import actions


@pytest.fixture
def my_root(teacher):
    return actions.root_of(actions.personal_space(teacher))


@pytest.fixture
def class_root(klass):
    return actions.root_of(actions.group_space(klass))


def put(parent, name, data: bytes, by, **options):
    node, _ = actions.write_file(parent, name, [data], by=by, **options)
    return node


def read(node) -> bytes:
    with actions.open_blob(node.blob) as f:
        return f.read()
