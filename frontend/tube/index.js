// Tube's player: HLS through hls.js where the browser has Media Source Extensions, the
// browser's own HLS (Safari, iOS) otherwise. The <video> keeps its native controls.
import Hls from "hls.js";

function start(video) {
  const source = video.dataset.hls;
  if (Hls.isSupported()) {
    // No worker: the site's policy allows no script from blob: URLs.
    const hls = new Hls({ enableWorker: false });
    hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
      video.dataset.levels = String(data.levels.length);
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) video.dataset.error = data.type;
    });
    hls.loadSource(source);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = source;
  }
}

for (const video of document.querySelectorAll("video[data-hls]")) start(video);
