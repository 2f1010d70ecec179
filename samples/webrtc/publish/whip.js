// Publishes the camera and microphone to LiveRelay over WHIP (RFC 9725): one POST with the SDP offer,
// the answer back, then media over WebRTC; DELETE on the session resource when done.
// Query parameters preset the form: ?path=live/x&token=…&camera=user&quality=640x360&autostart=1
'use strict';

const $ = (id) => document.getElementById(id);
const status = (text, kind) => { $('status').textContent = text; $('status').className = kind || ''; };
let session = null;

function preferH264(transceiver) {
  // The server takes H.264 (packetization-mode 1): put it first so the offer leads with it.
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const h264 = codecs.filter((c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine || ''));
  const rest = codecs.filter((c) => !h264.includes(c));
  if (h264.length > 0 && transceiver.setCodecPreferences) {
    transceiver.setCodecPreferences([...h264.sort((a, b) => (b.sdpFmtpLine || '').includes('42e01f') - (a.sdpFmtpLine || '').includes('42e01f')), ...rest]);
  }
}

async function start(event) {
  event?.preventDefault();
  const path = $('path').value.trim();
  const [width, height] = $('quality').value.split('x').map(Number);
  $('start').disabled = true;
  status('Starting the camera…');
  try {
    const media = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: $('camera').value, width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: 30 } },
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    $('preview').srcObject = media;
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    for (const track of media.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
      if (track.kind === 'video') {
        preferH264(transceiver);
        const parameters = transceiver.sender.getParameters();
        parameters.degradationPreference = 'maintain-resolution';
        parameters.encodings = [{ maxBitrate: width >= 1920 ? 6_000_000 : width >= 1280 ? 3_500_000 : 1_200_000 }];
        await transceiver.sender.setParameters(parameters).catch(() => {});
      }
    }

    status('Connecting…');
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const headers = { 'Content-Type': 'application/sdp' };
    if ($('token').value) headers.Authorization = 'Bearer ' + $('token').value;
    const response = await fetch('/whip/' + path, { method: 'POST', headers, body: pc.localDescription.sdp });
    if (response.status !== 201) {
      const text = await response.text();
      let reason = text;
      try { reason = JSON.parse(text).error; } catch { /* plain text */ }
      throw new Error(`${response.status}: ${reason}`);
    }

    const location = new URL(response.headers.get('Location'), window.location.href).toString();
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    session = { pc, media, location };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') status(`Live: ${path}`, 'live');
      else if (pc.connectionState === 'failed' || pc.connectionState === 'disconnected') status(`Connection ${pc.connectionState}.`, 'error');
    };
    $('stop').disabled = false;
    window.liverelayPublish = { pc, path, location };
  } catch (error) {
    status(`Could not go live: ${error.message}`, 'error');
    $('start').disabled = false;
    stop();
  }
}

async function stop() {
  const current = session;
  session = null;
  $('stop').disabled = true;
  $('start').disabled = false;
  if (!current) return;
  current.pc.close();
  current.media.getTracks().forEach((t) => t.stop());
  await fetch(current.location, { method: 'DELETE' }).catch(() => {});
  status('Stopped.');
}

const query = new URLSearchParams(window.location.search);
for (const key of ['path', 'token', 'camera', 'quality']) {
  if (query.get(key)) $(key).value = query.get(key);
}
// ?key= (the publish key, as on RTMP and SRT) fills the same field as ?token=.
if (query.get('key')) $('token').value = query.get('key');

$('form').addEventListener('submit', start);
$('stop').addEventListener('click', stop);
window.addEventListener('pagehide', stop);
if (query.get('autostart') === '1') start();
