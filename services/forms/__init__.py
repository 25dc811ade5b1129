"""Forms defined in the panel, answered on the web and in the bot; answers land on CRM cards."""
