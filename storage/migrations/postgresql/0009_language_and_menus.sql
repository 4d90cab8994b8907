-- Speak like the customer (issue 16): the language their app told us (Telegram's
-- language_code), kept apart from `language`, which only the language menu sets. A user who
-- never chose is spoken to in the detected one; a choice always wins.
ALTER TABLE users ADD COLUMN detected_language TEXT;
-- The role whose command menu their private chat has on Telegram (NULL: the default menu,
-- the customers'). Compared with `role` to set or reset that chat's menu once, after a role
-- changed, even by the command line while the bot was down.
ALTER TABLE users ADD COLUMN commands_role TEXT;
