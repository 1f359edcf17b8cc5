-- The replay (issue 14): the media server records each show it relays (nginx-rtmp's
-- `record`, remuxed to MP4 by `exec_record_done`) and tells Expo Hub the file's name
-- (`on_record_done`). `recording` is that file under EXPO_STAGE_REPLAY_BASE, and
-- `recording_ms` the moment its first frame went out (the show's `live_since_ms` for that
-- take): the replay shows each chat message and pin at its moment in the video.

alter table shows add column recording text;
alter table shows add column recording_ms bigint;
