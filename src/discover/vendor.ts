/** MAC prefixes (OUIs) registered to Raspberry Pi Foundation / Raspberry Pi Trading / Raspberry Pi Ltd. */
const RASPBERRY_PI_OUIS = ['b8:27:eb', 'dc:a6:32', 'e4:5f:01', 'd8:3a:dd', '28:cd:c1', '2c:cf:67'];

export function isRaspberryPiMac(mac: string | undefined): boolean {
  return Boolean(mac && RASPBERRY_PI_OUIS.includes(mac.toLowerCase().slice(0, 8)));
}

export function vendorOf(mac: string | undefined): string | undefined {
  return isRaspberryPiMac(mac) ? 'Raspberry Pi' : undefined;
}
