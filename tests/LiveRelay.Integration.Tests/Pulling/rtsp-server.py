# An RTSP server that is not ours, for the pull tests: GStreamer's gst-rtsp-server serving a live
# test pattern at /test, as an IP camera would.
#   python3 rtsp-server.py <port> [--user U --password P] [--video h264|h265] [--audio aac|latm|pcma]
# Video: H.264 (payload 96, parameter sets in band and in the SDP) or H.265 (rtph265pay).
# Audio: AAC as MPEG4-GENERIC (rtpmp4gpay), AAC as MP4A-LATM (rtpmp4apay) or G.711 A-law (PCMA).
# It prints "ready" once it listens.
import argparse

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("port")
parser.add_argument("--user")
parser.add_argument("--password")
parser.add_argument("--video", default="h264", choices=["h264", "h265"])
parser.add_argument("--audio", default="aac", choices=["aac", "latm", "pcma"])
args = parser.parse_args()

VIDEO = {
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay0 pt=96 config-interval=-1",
    "h265": "x265enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! video/x-h265,profile=main ! rtph265pay name=pay0 pt=96 config-interval=-1",
}
AUDIO = {
    "aac": "avenc_aac ! rtpmp4gpay name=pay1 pt=97",
    "latm": "avenc_aac ! rtpmp4apay name=pay1 pt=97",
    "pcma": "audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1",
}

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_service(args.port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=true pattern=smpte ! video/x-raw,width=640,height=360,framerate=25/1,format=I420 "
    f"! {VIDEO[args.video]} "
    f"audiotestsrc is-live=true freq=1000 ! audioconvert ! audioresample ! {AUDIO[args.audio]} )"
)
factory.set_shared(True)
if args.user:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", args.user)
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role(args.user, "media.factory.access", True)
    permissions.add_permission_for_role(args.user, "media.factory.construct", True)
    factory.set_permissions(permissions)
server.get_mount_points().add_factory("/test", factory)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
