// Plays a live stream from LiveRelay over WHEP: one POST with a recvonly SDP offer, the answer
// back, then H.264 and Opus over WebRTC with sub-second delay. DELETE on the session when done.
// Query parameters: ?path=live/x&token=…&autoplay=1
'use strict';

const $ = (id) => document.getElementById(id);
const status = (text, kind) => { $('status').textContent = text; $('status').className = kind || ''; };
let session = null;

async function play(event) {
  event?.preventDefault();
  await stop();
  const path = $('path').value.trim();
  status('Connecting…');
  try {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    const video = pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const h264 = (RTCRtpReceiver.getCapabilities('video')?.codecs ?? []).filter((c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine || ''));
    if (h264.length > 0 && video.setCodecPreferences) video.setCodecPreferences(h264);
    const stream = new MediaStream();
    pc.ontrack = (e) => { stream.addTrack(e.track); $('video').srcObject = stream; };
    await pc.setLocalDescription(await pc.createOffer());
    const headers = { 'Content-Type': 'application/sdp' };
    const token = new URLSearchParams(window.location.search).get('token');
    if (token) headers.Authorization = 'Bearer ' + token;
    const response = await fetch('/whep/' + path, { method: 'POST', headers, body: pc.localDescription.sdp });
    if (response.status !== 201) {
      const text = await response.text();
      let reason = text;
      try { reason = JSON.parse(text).error; } catch { /* plain text */ }
      throw new Error(`${response.status}: ${reason}`);
    }

    const location = new URL(response.headers.get('Location'), window.location.href).toString();
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    session = { pc, location };
    window.liverelayPlay = { pc, path, location };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') status(`Playing ${path}`);
      else if (pc.connectionState === 'failed' || pc.connectionState === 'disconnected') status(`Connection ${pc.connectionState}.`, 'error');
    };
  } catch (error) {
    status(`Cannot play: ${error.message}`, 'error');
  }
}

async function stop() {
  const current = session;
  session = null;
  if (!current) return;
  current.pc.close();
  await fetch(current.location, { method: 'DELETE' }).catch(() => {});
}

const query = new URLSearchParams(window.location.search);
if (query.get('path')) $('path').value = query.get('path');
$('form').addEventListener('submit', play);
window.addEventListener('pagehide', stop);
if (query.get('autoplay') === '1') play();
