# An RTSP server that is not ours, for the pull tests: GStreamer's gst-rtsp-server serving a live
# test pattern as H.264 (RTP payload 96) and AAC (MPEG4-GENERIC, payload 97) at /test.
#   python3 rtsp-server.py <port> [<user> <password>]   (prints "ready" once it listens)
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port = sys.argv[1]
server = GstRtspServer.RTSPServer()
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=true pattern=smpte ! video/x-raw,width=640,height=360,framerate=25/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay0 pt=96 config-interval=-1 "
    "audiotestsrc is-live=true freq=1000 ! audioconvert ! audioresample ! avenc_aac ! rtpmp4gpay name=pay1 pt=97 )"
)
factory.set_shared(True)
if len(sys.argv) > 3:
    user, password = sys.argv[2], sys.argv[3]
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", user)
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role(user, "media.factory.access", True)
    permissions.add_permission_for_role(user, "media.factory.construct", True)
    factory.set_permissions(permissions)
server.get_mount_points().add_factory("/test", factory)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
