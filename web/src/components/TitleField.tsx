import { Textarea } from '@telegram-apps/telegram-ui';
import { useLayoutEffect, useRef, type ComponentProps } from 'react';

type TextareaProps = Omit<ComponentProps<typeof Textarea>, 'value' | 'onChange' | 'rows'>;

/**
 * A one-line text that wraps as it grows, so a long title is seen whole on a narrow phone (a
 * single-line input scrolls it out of sight). Line breaks become spaces: a title is one line.
 */
export function TitleField({
  value,
  onChange,
  className,
  ...rest
}: Readonly<TextareaProps & { value: string; onChange: (value: string) => void }>) {
  const field = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    const element = field.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${element.scrollHeight}px`;
  }, [value]);
  return (
    <Textarea
      {...rest}
      ref={field}
      className={className ? `title-field ${className}` : 'title-field'}
      rows={1}
      value={value}
      onChange={(event) => onChange(event.target.value.replace(/[\r\n]+/g, ' '))}
      onKeyDown={(event) => {
        if (event.key === 'Enter') event.preventDefault();
      }}
    />
  );
}
