"""What the museum's audience features share: who manages them (``access``) and tags on CRM cards
(``tags``). Forms, events, volunteers, segments, mailings, applications and the council build on it."""
