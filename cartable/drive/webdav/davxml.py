"""WebDAV request bodies in (lxml, safely) and multistatus bodies out (strings, fast).

Responses are built as strings rather than trees: a PROPFIND of 10 000 entries is mostly
the same few elements repeated, and joining strings is several times faster than building
and serialising an lxml tree. The DAV: namespace always has the ``d:`` prefix and no
default namespace is ever declared, so that a stored property element in no namespace
(``<foo xmlns="">``, which lxml writes as ``<foo>``) keeps meaning the same inside ours.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr  # nosec B406  # to write XML, not to parse it

from lxml import etree

DAV = "DAV:"
OC = "http://owncloud.org/ns"
NC = "http://nextcloud.org/ns"
OCS = "http://open-collaboration-services.org/ns"
PREFIXES = {DAV: "d", OC: "oc", NC: "nc", OCS: "ocs"}
NAMESPACE_DECLARATIONS = " ".join(f'xmlns:{p}="{ns}"' for ns, p in PREFIXES.items())

PropName = tuple[str, str]  # (namespace, local name); namespace "" for none

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No Content",
    207: "Multi-Status",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    412: "Precondition Failed",
    423: "Locked",
    424: "Failed Dependency",
    502: "Bad Gateway",
    507: "Insufficient Storage",
}


class BadXML(ValueError):
    """The body is not well-formed XML, or not the element the method expects."""


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False, huge_tree=False
)


def parse(body: bytes) -> etree._Element | None:
    """The root element of ``body``, None when the body is empty."""
    if not body.strip():
        return None
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadXML(str(exc)) from exc
    if root is None:
        raise BadXML("no root element")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        # An empty prefixed namespace (xmlns:x="") is not well-formed in XML 1.0 namespaces.
        for prefix, uri in (element.nsmap or {}).items():
            if prefix is not None and not uri:
                raise BadXML("empty namespace for a prefix")
    return root


def qname(element: etree._Element) -> PropName:
    tag = etree.QName(element)
    return tag.namespace or "", tag.localname


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


@dataclass
class Propfind:
    kind: str = "allprop"  # allprop, propname or prop
    names: list[PropName] = field(default_factory=list)
    # allprop with <include>: these too.
    include: list[PropName] = field(default_factory=list)


def parse_propfind(root: etree._Element | None) -> Propfind:
    if root is None:
        return Propfind()
    if qname(root) != (DAV, "propfind"):
        raise BadXML("not a propfind element")
    result = Propfind(kind="")
    for child in _children(root):
        name = qname(child)
        if name == (DAV, "allprop"):
            result.kind = "allprop"
        elif name == (DAV, "propname"):
            result.kind = "propname"
        elif name == (DAV, "prop"):
            result.kind = "prop"
            result.names = [qname(p) for p in _children(child)]
        elif name == (DAV, "include"):
            result.include = [qname(p) for p in _children(child)]
    if not result.kind:
        raise BadXML("propfind without allprop, propname or prop")
    return result


@dataclass
class PropChange:
    name: PropName
    remove: bool
    # The element as XML, namespaces declared on it, for set; "" for remove.
    xml: str


def parse_proppatch(root: etree._Element | None) -> list[PropChange]:
    if root is None or qname(root) != (DAV, "propertyupdate"):
        raise BadXML("not a propertyupdate element")
    changes: list[PropChange] = []
    for op in _children(root):
        kind = qname(op)
        if kind not in ((DAV, "set"), (DAV, "remove")):
            continue
        for prop in _children(op):
            if qname(prop) != (DAV, "prop"):
                continue
            for element in _children(prop):
                remove = kind == (DAV, "remove")
                xml = "" if remove else _standalone(element)
                changes.append(PropChange(qname(element), remove, xml))
    return changes


def _standalone(element: etree._Element) -> str:
    """``element`` as text that keeps its meaning anywhere: every namespace in scope declared."""
    copy = etree.Element(element.tag, nsmap=element.nsmap)
    copy.text = element.text
    for key, value in element.attrib.items():
        copy.set(key, value)
    for child in element:
        copy.append(_deepcopy(child))
    return etree.tostring(copy, encoding="unicode")


def _deepcopy(element: etree._Element) -> etree._Element:
    copied = deepcopy(element)
    copied.tail = element.tail
    return copied


# A lock's owner is kept and shown in every lockdiscovery of its path: a name or a URL.
MAX_LOCK_OWNER = 4096


@dataclass
class LockInfo:
    exclusive: bool
    owner_xml: str


def parse_lockinfo(root: etree._Element) -> LockInfo:
    if qname(root) != (DAV, "lockinfo"):
        raise BadXML("not a lockinfo element")
    exclusive: bool | None = None
    owner = ""
    write = False
    for child in _children(root):
        name = qname(child)
        if name == (DAV, "lockscope"):
            scopes = [qname(c) for c in _children(child)]
            if (DAV, "exclusive") in scopes:
                exclusive = True
            elif (DAV, "shared") in scopes:
                exclusive = False
        elif name == (DAV, "locktype"):
            write = (DAV, "write") in [qname(c) for c in _children(child)]
        elif name == (DAV, "owner"):
            owner = _standalone(child)
            if len(owner) > MAX_LOCK_OWNER:
                raise BadXML("the lock's owner is too long")
    if exclusive is None or not write:
        raise BadXML("lockinfo needs a lock scope and the write lock type")
    return LockInfo(exclusive=exclusive, owner_xml=owner)


# --- Writing ------------------------------------------------------------------------------


def text(value: str) -> str:
    return escape(value)


def element(name: PropName, inner: str = "") -> str:
    """``<ns:name>inner</ns:name>``, ``inner`` being XML already."""
    ns, local = name
    prefix = PREFIXES.get(ns)
    if prefix is not None:
        tag = f"{prefix}:{local}"
        open_tag = tag
    elif ns:
        tag = f"x:{local}"
        open_tag = f"{tag} xmlns:x={quoteattr(ns)}"
    else:
        tag = open_tag = local
    if inner:
        return f"<{open_tag}>{inner}</{tag}>"
    return f"<{open_tag}/>"


def status_line(status: int) -> str:
    return f"HTTP/1.1 {status} {STATUS_TEXT.get(status, '')}"


def propstat(props: dict[int, list[str]]) -> str:
    """``<d:propstat>`` elements, one per status, each with its properties' XML."""
    parts = []
    for status, xml in props.items():
        if xml:
            parts.append(
                f"<d:propstat><d:prop>{''.join(xml)}</d:prop>"
                f"<d:status>{status_line(status)}</d:status></d:propstat>"
            )
    return "".join(parts)


def response(href: str, props: dict[int, list[str]]) -> str:
    return f"<d:response><d:href>{escape(href)}</d:href>{propstat(props)}</d:response>"


def multistatus(responses: Iterable[str]) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus {NAMESPACE_DECLARATIONS}>'
        + "".join(responses)
        + "</d:multistatus>"
    ).encode()


def error(condition: str, message: str = "") -> bytes:
    """An error body (RFC 4918 section 16) with a precondition element of DAV:."""
    extra = f'<s:message xmlns:s="http://sabredav.org/ns">{escape(message)}</s:message>'
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<d:error {NAMESPACE_DECLARATIONS}>'
        f"<d:{condition}/>{extra if message else ''}</d:error>"
    ).encode()


def prop_document(inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<d:prop {NAMESPACE_DECLARATIONS}>{inner}</d:prop>'
    ).encode()
