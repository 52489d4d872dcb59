import pytest
from websockets.frames import Frame, Opcode

from cartable.pad import frames


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_a_pre_encoded_frame_is_what_the_websocket_library_writes(size):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    expected = Frame(Opcode.BINARY, payload).serialize(mask=False, extensions=[])
    assert frames.binary_frame(payload) == expected


def test_no_direct_writes_outside_uvicorn():
    async def send(message):
        pass

    assert frames.direct_writer(send) is None


class _Server:
    """Stands for uvicorn's protocol behind a FrameReader: records what is passed to it."""

    def __init__(self):
        self.received = []

    def data_received(self, data):
        self.received.append(bytes(data))


def _reader(max_size=1 << 20):
    messages, server = [], _Server()
    return frames.FrameReader(server, messages.append, max_size), messages, server


def _client_frame(opcode, payload, fin=True):
    return Frame(opcode, payload, fin=fin).serialize(mask=True, extensions=[])


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536, 70000])
def test_the_reader_unmasks_binary_messages_of_any_length(size):
    reader, messages, server = _reader()
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    reader.data_received(_client_frame(Opcode.BINARY, payload) * 2)
    assert messages == [payload, payload] and server.received == []


def test_the_reader_waits_for_the_rest_of_a_frame_cut_anywhere():
    data = _client_frame(Opcode.BINARY, b"hello") + _client_frame(Opcode.BINARY, b"x" * 300)
    for cut in range(1, len(data)):
        reader, messages, _server = _reader()
        reader.data_received(data[:cut])
        reader.data_received(data[cut:])
        assert messages == [b"hello", b"x" * 300]


def test_other_frames_go_whole_and_in_order_to_uvicorn():
    reader, messages, server = _reader()
    ping = _client_frame(Opcode.PING, b"p")
    text = _client_frame(Opcode.TEXT, b"du texte")
    first = _client_frame(Opcode.BINARY, b"frag", fin=False)
    rest = _client_frame(Opcode.CONT, b"ment")
    close = _client_frame(Opcode.CLOSE, b"\x03\xe8")
    data = ping + _client_frame(Opcode.BINARY, b"a") + text + first + rest + close
    reader.data_received(data[:7])
    reader.data_received(data[7:])
    assert messages == [b"a"]
    assert server.received == [ping, text, first, rest, close]


@pytest.mark.parametrize(
    "frame",
    [
        Frame(Opcode.BINARY, b"not masked").serialize(mask=False, extensions=[]),
        _client_frame(Opcode.BINARY, b"y" * 2000),
    ],
    ids=["unmasked", "too large"],
)
def test_a_frame_to_refuse_and_all_after_it_go_to_uvicorn(frame):
    reader, messages, server = _reader(max_size=1000)
    after = _client_frame(Opcode.BINARY, b"after")
    reader.data_received(_client_frame(Opcode.BINARY, b"before") + frame)
    reader.data_received(after)
    assert messages == [b"before"]
    assert server.received == [frame, after]


def test_no_direct_reading_outside_uvicorn():
    async def send(message):
        pass

    assert frames.read_directly(send, lambda data: None) is None


@pytest.mark.timeout(60)
def test_a_large_frame_arriving_in_small_pieces_is_buffered_in_linear_time():
    """A client that trickles a large message 1 KB at a time costs no more than one send.

    Copying the whole pending buffer at every piece made 64 MB in 1 KB pieces (64 Ki pieces)
    copy about 2 TB; the timeout bounds the test, it does not measure it.
    """
    reader, messages, server = _reader(max_size=128 << 20)
    payload = bytes(range(256)) * (256 << 10)  # 64 MB
    data = _client_frame(Opcode.BINARY, payload) + _client_frame(Opcode.BINARY, b"next")
    view = memoryview(data)
    for at in range(0, len(data), 1024):
        reader.data_received(bytes(view[at : at + 1024]))
    assert len(messages) == 2 and messages[0] == payload and messages[1] == b"next"
    assert server.received == []
