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
