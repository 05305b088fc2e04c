-- Conversations: archiving, and search over messages and titles.
ALTER TABLE conversations ADD COLUMN archived_at TEXT;

-- Each message and each conversation title is one row of the FTS5 index chat_search. The
-- index keeps no copy of the text (contentless); chat_search_docs says what each row is,
-- under an explicit integer key (VACUUM may renumber implicit rowids, not this one).
CREATE TABLE chat_search_docs (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- NULL for the conversation's title.
    message_id TEXT UNIQUE REFERENCES messages (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX chat_search_docs_title ON chat_search_docs (conversation_id)
    WHERE message_id IS NULL;

-- Marks (M*) belong to words and diacritics are kept, as in PostgreSQL's `simple` search, so
-- both databases find the same things.
CREATE VIRTUAL TABLE chat_search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);

-- Text is indexed folded as routix_core::chat_search::fold_char folds queries: ي (1610) and
-- ى (1609) as ی (1740), ك (1603) as ک (1705), the zero-width non-joiner (8204) as a space.
-- Keep every copy of the expression below the same.
INSERT INTO chat_search_docs (conversation_id, message_id)
    SELECT id, NULL FROM conversations ORDER BY id;
INSERT INTO chat_search_docs (conversation_id, message_id)
    SELECT conversation_id, id FROM messages ORDER BY id;
INSERT INTO chat_search (rowid, body)
    SELECT d.id, replace(replace(replace(replace(COALESCE(m.content, c.title),
        char(1610), char(1740)), char(1609), char(1740)), char(1603), char(1705)), char(8204), ' ')
    FROM chat_search_docs d
    JOIN conversations c ON c.id = d.conversation_id
    LEFT JOIN messages m ON m.id = d.message_id;

CREATE TRIGGER chat_search_docs_delete AFTER DELETE ON chat_search_docs BEGIN
    DELETE FROM chat_search WHERE rowid = old.id;
END;

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO chat_search_docs (conversation_id, message_id) VALUES (new.conversation_id, new.id);
    INSERT INTO chat_search (rowid, body)
        SELECT id, replace(replace(replace(replace(new.content,
            char(1610), char(1740)), char(1609), char(1740)), char(1603), char(1705)), char(8204), ' ')
        FROM chat_search_docs WHERE message_id = new.id;
END;

CREATE TRIGGER messages_search_update AFTER UPDATE OF content ON messages
    WHEN old.content IS NOT new.content BEGIN
    UPDATE chat_search
        SET body = replace(replace(replace(replace(new.content,
            char(1610), char(1740)), char(1609), char(1740)), char(1603), char(1705)), char(8204), ' ')
        WHERE rowid = (SELECT id FROM chat_search_docs WHERE message_id = new.id);
END;

CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO chat_search_docs (conversation_id, message_id) VALUES (new.id, NULL);
    INSERT INTO chat_search (rowid, body)
        SELECT id, replace(replace(replace(replace(new.title,
            char(1610), char(1740)), char(1609), char(1740)), char(1603), char(1705)), char(8204), ' ')
        FROM chat_search_docs WHERE conversation_id = new.id AND message_id IS NULL;
END;

CREATE TRIGGER conversations_search_title AFTER UPDATE OF title ON conversations
    WHEN old.title IS NOT new.title BEGIN
    UPDATE chat_search
        SET body = replace(replace(replace(replace(new.title,
            char(1610), char(1740)), char(1609), char(1740)), char(1603), char(1705)), char(8204), ' ')
        WHERE rowid = (SELECT id FROM chat_search_docs
                       WHERE conversation_id = new.id AND message_id IS NULL);
END;
