#!/usr/bin/env bash
# Regenerates every bundled sample from ffmpeg's synthetic sources: nothing is downloaded.
# The outputs are committed, so `./lab run` works on a machine without ffmpeg; run this only to change them.
#
#   testsrc  : colour bars with a burned-in seconds counter (so a student can see where a seek landed)
#   sine     : 440 Hz with a louder beep every second (so audio/video sync is audible)
#
# Every H.264 sample uses a closed GOP of exactly 2 s (60 frames at 30 fps, scene-cut detection off),
# which is what phase 3 needs to cut fragments on keyframes and switch ABR rungs at the same instants.
set -euo pipefail
cd "$(dirname "$0")"
command -v ffmpeg >/dev/null || { echo "generate.sh needs ffmpeg (apt-get install ffmpeg)" >&2; exit 1; }

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
FPS=30
GOP=(-g 60 -keyint_min 60 -sc_threshold 0 -force_key_frames 'expr:gte(t,n_forced*2)')
X264=(-c:v libx264 -preset medium -pix_fmt yuv420p -profile:v high "${GOP[@]}")
AAC=(-c:a aac -b:a 96k -ac 2 -ar 48000)
src_video() { echo "testsrc=size=$1:rate=$FPS:duration=$2"; }
src_audio() { echo "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=$1"; }
# -fflags +bitexact / -map_metadata -1 keep the files byte-identical across runs (no encoder dates).
STABLE=(-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact)

# The main sample: what a browser plays progressively. moov first (faststart), no B-frames.
ff -f lavfi -i "$(src_video 640x360 30)" -f lavfi -i "$(src_audio 30)" \
   "${X264[@]}" -bf 0 -crf 26 -maxrate 700k -bufsize 1400k "${AAC[@]}" \
   "${STABLE[@]}" -movflags +faststart -shortest sample-30s-360p-h264-aac.mp4

# The ABR ladder: same content, same keyframe instants, three sizes (phase 3's adaptive bitrate).
mkdir -p ladder
for rung in "426x240 250k 64k" "640x360 600k 96k" "1280x720 1200k 128k"; do
  set -- $rung
  ff -f lavfi -i "$(src_video "$1" 30)" -f lavfi -i "$(src_audio 30)" \
     "${X264[@]}" -bf 0 -b:v "$2" -maxrate "$2" -bufsize "$2" -c:a aac -b:a "$3" -ac 2 -ar 48000 \
     "${STABLE[@]}" -movflags +faststart -shortest "ladder/ladder-30s-${1#*x}p.mp4"
done

# moov after mdat (ffmpeg's default without faststart): the browser must fetch the tail before playing.
ff -f lavfi -i "$(src_video 640x360 10)" -f lavfi -i "$(src_audio 10)" \
   "${X264[@]}" -bf 0 -crf 26 -maxrate 700k -bufsize 1400k "${AAC[@]}" \
   "${STABLE[@]}" -shortest sample-10s-360p-moov-at-end.mp4

# Video only: one track, no audio.
ff -f lavfi -i "$(src_video 640x360 10)" \
   "${X264[@]}" -bf 0 -crf 26 -maxrate 700k -bufsize 1400k \
   "${STABLE[@]}" -movflags +faststart sample-10s-360p-video-only.mp4

# B-frames: decode order differs from presentation order, so `ctts` and the edit list matter.
ff -f lavfi -i "$(src_video 640x360 10)" -f lavfi -i "$(src_audio 10)" \
   "${X264[@]}" -bf 3 -b_strategy 0 -crf 26 -maxrate 700k -bufsize 1400k "${AAC[@]}" \
   "${STABLE[@]}" -movflags +faststart -shortest sample-10s-360p-bframes.mp4

ls -l *.mp4 ladder/*.mp4
du -ch *.mp4 ladder/*.mp4 | tail -1
