import { describe, expect, it } from 'vitest';
import { fillPlaceholders, personName, unknownPlaceholders } from './placeholders.js';

const body = 'Hello {customer_name}! About {ticket_number}: done. — {agent_name}';

describe('fillPlaceholders', () => {
  it('fills the customer’s name, the ticket number as #123 and the agent’s name', () => {
    expect(
      fillPlaceholders(
        body,
        { customer_name: 'Kira', ticket_number: 123, agent_name: 'Artem B' },
        'en',
      ),
    ).toBe('Hello Kira! About #123: done. — Artem B');
  });

  it('fills every occurrence', () => {
    expect(fillPlaceholders('{ticket_number} / {ticket_number}', { ticket_number: 7 }, 'en')).toBe(
      '#7 / #7',
    );
  });

  it('leaves a name with braces as written, never filling it in turn', () => {
    expect(
      fillPlaceholders(
        body,
        { customer_name: '{agent_name} {x}', ticket_number: 5, agent_name: 'Artem' },
        'en',
      ),
    ).toBe('Hello {agent_name} {x}! About #5: done. — Artem');
    expect(fillPlaceholders('Hi {customer_name}', { customer_name: '$& $1 $$' }, 'en')).toBe(
      'Hi $& $1 $$',
    );
  });

  it('puts a word of the reply’s language where a name is missing', () => {
    const blank = { customer_name: '  ', ticket_number: 1, agent_name: '' };
    expect(fillPlaceholders(body, blank, 'en')).toBe(
      'Hello customer! About #1: done. — support team',
    );
    expect(fillPlaceholders('Здравствуйте, {customer_name}! {agent_name}', blank, 'ru')).toBe(
      'Здравствуйте, клиент! служба поддержки',
    );
  });

  it('keeps placeholders it has no value for, and unknown words in braces', () => {
    expect(fillPlaceholders(`${body} {order}`, { agent_name: 'Artem' }, 'ru')).toBe(
      'Hello {customer_name}! About {ticket_number}: done. — Artem {order}',
    );
  });

  it('works in Russian text alike', () => {
    expect(
      fillPlaceholders(
        'Здравствуйте, {customer_name}! Обращение {ticket_number} закрыто. {agent_name}',
        { customer_name: 'Кира Орлова', ticket_number: 42, agent_name: 'Артём' },
        'ru',
      ),
    ).toBe('Здравствуйте, Кира Орлова! Обращение #42 закрыто. Артём');
  });
});

describe('unknownPlaceholders', () => {
  it('names each unknown {word} once, in order, and ignores other braces', () => {
    expect(unknownPlaceholders('{customer_name} {order} {x} {order} { spaced } {} {1a}')).toEqual([
      'order',
      'x',
    ]);
    expect(unknownPlaceholders(body)).toEqual([]);
  });
});

describe('personName', () => {
  it('joins first and last name, skipping what is missing', () => {
    expect(personName({ first_name: 'Kira', last_name: 'Orlova' })).toBe('Kira Orlova');
    expect(personName({ first_name: 'Kira', last_name: null })).toBe('Kira');
    expect(personName({ first_name: '', last_name: null })).toBe('');
  });
});
