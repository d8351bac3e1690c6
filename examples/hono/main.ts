// A Hono app, unmodified: the module's default export is a fetch handler
// ({ fetch(request) }), which Nimbus serves on port 80 (or $PORT).
import { Hono } from 'hono';

const app = new Hono();
const notes: { id: number; text: string }[] = [];

app.get('/', (c) => c.text('Hello from Hono on Nimbus!'));
app.get('/notes', (c) => c.json(notes));
app.post('/notes', async (c) => {
  const { text } = await c.req.json<{ text?: unknown }>();
  if (typeof text !== 'string' || text.length === 0) return c.json({ error: 'text must be a non-empty string' }, 400);
  const note = { id: notes.length + 1, text };
  notes.push(note);
  return c.json(note, 201);
});
app.get('/notes/:id', (c) => {
  const note = notes.find((n) => n.id === Number(c.req.param('id')));
  return note ? c.json(note) : c.json({ error: 'not found' }, 404);
});

export default app;
