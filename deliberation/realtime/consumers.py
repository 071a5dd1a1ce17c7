"""The base of every Torget websocket consumer: frames are checked like API bodies
(README "Input rules"), and no frame can crash the socket.

* A frame is text, at most `max_frame` characters, JSON that `loads_json` accepts
  (nesting, 64-bit numbers) and an object; anything else is answered
  `{"type": "error", "detail": ...}` and the socket stays open.
* An exception while handling a client frame is logged and answered with an error;
  one in any other handler closes the socket with 1011 after `disconnect` ran, so
  what the consumer keeps elsewhere (presence) is cleaned up either way.
"""

from __future__ import annotations

import logging

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from deliberation.inputs import JSONInputError, loads_json
from deliberation.observability.metrics import websocket_closed, websocket_opened

logger = logging.getLogger(__name__)


def _socket_gone(exc: RuntimeError) -> bool:
    text = str(exc)
    return "after sending 'websocket.close'" in text or "already completed" in text


class JsonFrameConsumer(AsyncJsonWebsocketConsumer):
    max_frame = 4096
    _counted = False

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        if not self._counted:
            self._counted = True
            websocket_opened()

    async def websocket_disconnect(self, message):
        if self._counted:
            self._counted = False
            websocket_closed()
        await super().websocket_disconnect(message)

    async def send_error(self, detail: str) -> None:
        await self.send_json({"type": "error", "detail": detail})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            return await self.send_error(_("Send JSON text messages."))
        if len(text_data) > self.max_frame:
            return await self.send_error(
                _("Message too large (at most %(n)d characters).")
                % {"n": self.max_frame}
            )
        try:
            content = loads_json(text_data)
        except JSONInputError as exc:
            return await self.send_error(exc.message)
        if not isinstance(content, dict):
            return await self.send_error(_('Send a JSON object with a "type".'))
        await self.receive_json(content)

    async def dispatch(self, message):
        try:
            await super().dispatch(message)
        except StopConsumer:
            raise
        except OSError:
            # The client went away while we were sending to it (uvicorn raises
            # ClientDisconnected, an OSError): nothing to tell it and nothing to log
            # as a failure; leave cleanly (presence included) and stop.
            if message.get("type") in ("websocket.connect", "websocket.disconnect"):
                raise
            await self.disconnect(1006)
            raise StopConsumer from None
        except RuntimeError as exc:
            # The same, as uvicorn says it when the socket closed between a group
            # event and our send: "Unexpected ASGI message … after sending
            # 'websocket.close'". Any other RuntimeError is a failure (below).
            gone = _socket_gone(exc)
            if gone and message.get("type") not in (
                "websocket.connect",
                "websocket.disconnect",
            ):
                await self.disconnect(1006)
                raise StopConsumer from None
            if gone:
                raise
            await self._failed(message)
        except Exception:
            await self._failed(message)

    async def _failed(self, message) -> None:
        """Called from an except block: log the failure; a client frame is answered,
        anything else closes the socket with 1011 after `disconnect` ran."""
        if message.get("type") == "websocket.receive":
            logger.exception("websocket frame failed on %s", self.scope["path"])
            await self.send_error(_("The server could not handle that message."))
            return
        if message.get("type") in ("websocket.connect", "websocket.disconnect"):
            raise  # the exception being handled (we run inside its except block)
        logger.exception("websocket handler failed on %s", self.scope["path"])
        try:
            await self.disconnect(1011)
        finally:
            await self.close(code=1011)
        raise StopConsumer from None
