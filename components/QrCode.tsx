import QRCode from "qrcode";

/**
 * Server-rendered QR code as inline SVG: no JavaScript, no image request, crisp at any zoom.
 * At 200 CSS px a version-8 code (an otpauth URI) keeps modules above 3 px for phone cameras.
 */
export async function QrCode({ value, label, size = 200 }: { value: string; label: string; size?: number }) {
  const svg = await QRCode.toString(value, { type: "svg", errorCorrectionLevel: "M", margin: 2, color: { dark: "#000000", light: "#ffffff" } });
  return (
    <div
      role="img"
      aria-label={label}
      data-testid="totp-qr"
      className="mx-auto rounded-lg bg-white p-1 [&>svg]:h-full [&>svg]:w-full"
      style={{ width: size, height: size }}
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  );
}
