-- A chat message may name a phrasebook phrase (schema/data/phrases.json): its id and
-- parameter values as JSON, {"id": "moq_is", "params": {"qty": "500"}}. Readers show it in
-- their own language; body keeps the sender's rendering. Null for free text and once deleted.
alter table chat_messages add column phrase text;
