-- Counts that hold across nodes (issue 14): a show's peak audience, raised by every node's
-- sampler when the show's room (presence over every node) holds more viewers than the
-- stored peak, with the moment it was reached.

alter table shows add column peak_viewers bigint not null default 0;
alter table shows add column peak_ms bigint;
